# Parses the Prometheus text format on standard input with the Prometheus Python client's own parser and prints one
# sample per line: name, labels (k=v, sorted, comma-separated), value, separated by tabs. Exits non-zero on input
# that the parser rejects. Used by PrometheusText in the examples' tests.
import sys

from prometheus_client.parser import text_string_to_metric_families

for family in text_string_to_metric_families(sys.stdin.read()):
    for sample in family.samples:
        labels = ",".join("%s=%s" % (k, v) for k, v in sorted(sample.labels.items()))
        print("%s\t%s\t%r" % (sample.name, labels, sample.value))
