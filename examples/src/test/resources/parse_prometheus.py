#
# Copyright 2026 The splice-relay developers
#
# Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file except in compliance with
# the License. You may obtain a copy of the License at
#
#     https://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software distributed under the License is distributed on
# an "AS IS" BASIS, WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the License for the
# specific language governing permissions and limitations under the License.
#

# Parses the Prometheus text format on standard input with the Prometheus Python client's own parser and prints one
# sample per line: name, labels (k=v, sorted, comma-separated), value, separated by tabs. Exits non-zero on input
# that the parser rejects. Used by PrometheusText in the examples' tests.
import sys

from prometheus_client.parser import text_string_to_metric_families

for family in text_string_to_metric_families(sys.stdin.read()):
    for sample in family.samples:
        labels = ",".join("%s=%s" % (k, v) for k, v in sorted(sample.labels.items()))
        print("%s\t%s\t%r" % (sample.name, labels, sample.value))
