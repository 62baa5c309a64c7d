package dev.tollgate.bench.micro;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Warmup;

/**
 * How every benchmark here runs unless bench/micro.sh's arguments say otherwise: average time in nanoseconds, short
 * warm-up and measurement, one fork with the collector and heap the launcher gives the gateway. JMH reads these
 * from the superclass, so each benchmark class states only its own state scope.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-XX:+UseParallelGC", "-XX:MaxNewSize=96m", "-Xms64m", "-Xmx512m"})
public abstract class MicroBench {}
