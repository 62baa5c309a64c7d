/** JMH microbenchmarks of the gateway's per-request hot paths, each driving the production class (bench/micro.sh). */
package dev.tollgate.bench.micro;
