package dev.tollgate.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.core.runtime.HostPort;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The small syntaxes values are written in: sizes, durations and listen addresses. */
class ValueSyntaxTest {

    @ParameterizedTest(name = "{0} = {1} bytes")
    @CsvSource({
        "0, 0",
        "1048576, 1048576",
        "512B, 512",
        "16KiB, 16384",
        "10MiB, 10485760",
        "1GiB, 1073741824",
        "100KB, 100000",
        "5MB, 5000000",
        "2GB, 2000000000",
        "8589934591GiB, 9223372035781033984",
    })
    void sizes(String text, long bytes) {
        assertThat(SizeSyntax.parse(text)).isEqualTo(bytes);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "10mib | expected a size such as 16KiB, 10MiB or 1048576 (units: B, KiB, MiB, GiB, KB, MB, GB), got '10mib'",
        "10 MiB | expected a size such as 16KiB, 10MiB or 1048576 (units: B, KiB, MiB, GiB, KB, MB, GB), got '10 MiB'",
        "1.5MiB | expected a size such as 16KiB, 10MiB or 1048576 (units: B, KiB, MiB, GiB, KB, MB, GB), got '1.5MiB'",
        "-1 | expected a size such as 16KiB, 10MiB or 1048576 (units: B, KiB, MiB, GiB, KB, MB, GB), got '-1'",
        "MiB | expected a size such as 16KiB, 10MiB or 1048576 (units: B, KiB, MiB, GiB, KB, MB, GB), got 'MiB'",
        "1TiB | expected a size such as 16KiB, 10MiB or 1048576 (units: B, KiB, MiB, GiB, KB, MB, GB), got '1TiB'",
        "8589934592GiB0 | expected a size such as 16KiB, 10MiB or 1048576 (units: B, KiB, MiB, GiB, KB, MB, GB), got '8589934592GiB0'",
        "8589934593GiB | size '8589934593GiB' is too large",
        "99999999999999999999 | size '99999999999999999999' is too large",
    })
    void invalidSizes(String text, String message) {
        assertThatThrownBy(() -> SizeSyntax.parse(text)).isInstanceOf(IllegalArgumentException.class).hasMessage(message);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"10485760, 10MiB", "16384, 16KiB", "1536, 1536B", "0, 0B", "1073741824, 1GiB"})
    void sizesFormatInTheLargestExactUnit(long bytes, String text) {
        assertThat(SizeSyntax.format(bytes)).isEqualTo(text);
    }

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource({"0, PT0S", "250ms, PT0.25S", "15s, PT15S", "10m, PT10M", "1h, PT1H", "0ms, PT0S", "90s, PT1M30S"})
    void durations(String text, Duration duration) {
        assertThat(DurationSyntax.parse(text)).isEqualTo(duration);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "15 | expected a duration such as 250ms, 15s, 10m or 1h, got '15' (a number needs a unit: 15s or 15ms)",
        "1.5s | expected a duration such as 250ms, 15s, 10m or 1h, got '1.5s'",
        "1h30m | expected a duration such as 250ms, 15s, 10m or 1h, got '1h30m'",
        "5 s | expected a duration such as 250ms, 15s, 10m or 1h, got '5 s'",
        "5S | expected a duration such as 250ms, 15s, 10m or 1h, got '5S'",
        "1d | expected a duration such as 250ms, 15s, 10m or 1h, got '1d'",
        "-5s | expected a duration such as 250ms, 15s, 10m or 1h, got '-5s'",
        "PT5S | expected a duration such as 250ms, 15s, 10m or 1h, got 'PT5S'",
        "99999999999999999h | duration '99999999999999999h' is too long",
        "99999999999999999999s | duration '99999999999999999999s' is too long",
    })
    void invalidDurations(String text, String message) {
        assertThatThrownBy(() -> DurationSyntax.parse(text)).isInstanceOf(IllegalArgumentException.class).hasMessage(message);
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource({"PT0S, 0", "PT0.25S, 250ms", "PT15S, 15s", "PT10M, 10m", "PT2H, 2h", "PT1M30S, 90s"})
    void durationsFormatInTheLargestExactUnit(Duration duration, String text) {
        assertThat(DurationSyntax.format(duration)).isEqualTo(text);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "0.0.0.0:8080, 0.0.0.0, 8080",
        "127.0.0.1:0, 127.0.0.1, 0",
        "localhost:65535, localhost, 65535",
        "gateway.internal.example.com:443, gateway.internal.example.com, 443",
        "[::1]:8080, ::1, 8080",
        "[::]:80, ::, 80",
        "[fe80::1%eth0]:9000, fe80::1%eth0, 9000",
    })
    void listenAddresses(String text, String host, int port) {
        assertThat(HostPortSyntax.parse(text)).isEqualTo(new HostPort(host, port));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "8080 | expected host:port such as 0.0.0.0:8080 or [::1]:8080, got '8080'",
        ":8080 | expected host:port such as 0.0.0.0:8080 or [::1]:8080, got ':8080'",
        "localhost | expected host:port such as 0.0.0.0:8080 or [::1]:8080, got 'localhost'",
        "host:port | expected host:port such as 0.0.0.0:8080 or [::1]:8080, got 'host:port'",
        "bad_host:80 | expected host:port such as 0.0.0.0:8080 or [::1]:8080, got 'bad_host:80'",
        "-a.example:80 | expected host:port such as 0.0.0.0:8080 or [::1]:8080, got '-a.example:80'",
        "a..b:80 | expected host:port such as 0.0.0.0:8080 or [::1]:8080, got 'a..b:80'",
        "0.0.0.0:65536 | port 65536 is out of range 0..65535 in '0.0.0.0:65536'",
        "[::1]:99999 | port 99999 is out of range 0..65535 in '[::1]:99999'",
        "::1:8080 | an IPv6 address goes in brackets, as in [::1]:8080, got '::1:8080'",
        "[127.0.0.1]:80 | brackets are for IPv6 addresses, got '[127.0.0.1]:80'",
    })
    void invalidListenAddresses(String text, String message) {
        assertThatThrownBy(() -> HostPortSyntax.parse(text)).isInstanceOf(IllegalArgumentException.class).hasMessage(message);
    }
}
