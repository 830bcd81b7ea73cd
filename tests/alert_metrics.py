#!/usr/bin/env python3
"""Check Prometheus alerting rules against what nodes really export.

    alert_metrics.py RULES.yml METRICS_FILE...

METRICS_FILE: /metrics answers of running signaald nodes (Prometheus text).
A rule that reads a metric no node exports, or selects on a label the
metric does not have, or on a label value it never takes, never fires,
and promtool cannot know. For every rule (a "- alert:" block of RULES)
this checks:
  - every signaal_* metric it names is exported by some node;
  - every label in its selectors is a label of that metric;
  - every alternative of a =~ selector ("cap|busy") is a value that
    label takes in the exports (signaald exports such counters at 0 for
    every value from the start, so all of them are there), and so is
    every value a != or !~ selector excludes (a misspelt exclusion
    excludes nothing); a = selector's value is not checked (a status
    code appears only once a request got it);
  - every {{ $labels.X }} of its annotations is a label of one of its
    metrics, or a target label (job, instance, node).
Prints one line per problem ("rule: what") and exits 1 if there is any;
prints "checked N rules, M metrics" and exits 0 otherwise.
"""
import re
import sys

TARGET_LABELS = {"job", "instance", "node"}
SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+\S+')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')
SELECTOR = re.compile(r'(signaal_[a-z0-9_]+)(\{([^}]*)\})?')
MATCHER = re.compile(r'\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"([^"]*)"\s*')


def exported(paths):
    """metric name -> {label name -> set of values}"""
    out = {}
    for path in paths:
        with open(path, encoding="utf-8") as f:
            for line in f:
                if line.startswith("#") or not line.strip():
                    continue
                m = SAMPLE.match(line)
                if m is None:
                    continue
                labels = out.setdefault(m.group(1), {})
                for name, value in LABEL.findall(m.group(3) or ""):
                    labels.setdefault(name, set()).add(value)
    return out


def rules(path):
    """(alert name, text of its block)"""
    text = open(path, encoding="utf-8").read()
    blocks = re.split(r'^\s*- alert:\s*', text, flags=re.M)[1:]
    for block in blocks:
        name = block.split("\n", 1)[0].strip()
        yield name, block


def check(rules_path, metric_paths):
    have = exported(metric_paths)
    problems, n_rules, names = [], 0, set()
    for alert, block in rules(rules_path):
        n_rules += 1
        expr_part = block.split("annotations:", 1)[0]
        used_labels = set()
        for m in SELECTOR.finditer(expr_part):
            metric, body = m.group(1), m.group(3)
            names.add(metric)
            if metric not in have:
                problems.append("%s: %s is not exported by any node" % (alert, metric))
                continue
            used_labels |= set(have[metric])
            for part in (body or "").split(","):
                if not part.strip():
                    continue
                mm = MATCHER.fullmatch(part)
                if mm is None:
                    problems.append("%s: cannot read selector '%s'" % (alert, part))
                    continue
                label, op, value = mm.groups()
                if label in TARGET_LABELS:
                    continue
                if label not in have[metric]:
                    problems.append("%s: %s has no label %s" % (alert, metric, label))
                    continue
                if op in ("=~", "!=", "!~"):
                    for alt in value.split("|"):
                        if alt not in have[metric][label]:
                            problems.append("%s: %s{%s} never takes the value %s"
                                            % (alert, metric, label, alt))
        for label in re.findall(r'\$labels\.([a-zA-Z_][a-zA-Z0-9_]*)', block):
            if label not in used_labels and label not in TARGET_LABELS:
                problems.append("%s: its annotations use $labels.%s, which its metrics do not have"
                                % (alert, label))
    return problems, n_rules, names


def main():
    if len(sys.argv) < 3:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    problems, n_rules, names = check(sys.argv[1], sys.argv[2:])
    for p in problems:
        print(p)
    if problems:
        return 1
    print("checked %d rules, %d metrics" % (n_rules, len(names)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
