module splicerelay.dev/benchmarks/gorelay

go 1.19
