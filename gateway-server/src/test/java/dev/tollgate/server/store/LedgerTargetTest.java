package dev.tollgate.server.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class LedgerTargetTest {

    @Test
    void sqliteIsAnAbsoluteFileUrlInWalMode() {
        LedgerTarget target = LedgerTarget.parse("sqlite:data/tollgate.db");
        assertThat(target.dialect()).isEqualTo(SqlDialect.SQLITE);
        assertThat(target.jdbcUrl()).isEqualTo("jdbc:sqlite:" + Path.of("data/tollgate.db").toAbsolutePath());
        assertThat(target.driverProperties()).containsEntry("journal_mode", "WAL");
        assertThat(target).hasToString("sqlite:data/tollgate.db");
    }

    @Test
    void everyPostgresSpellingGivesTheSameTargetAndHidesThePassword() {
        for (String text : new String[] {
                "postgresql://db.internal:6432/ledger?user=tg&password=s%3Acret&currentSchema=s1",
                "postgres://tg:s%3Acret@db.internal:6432/ledger?currentSchema=s1",
                "jdbc:postgresql://db.internal:6432/ledger?user=tg&password=s%3Acret&currentSchema=s1"}) {
            LedgerTarget target = LedgerTarget.parse(text);
            assertThat(target.dialect()).isEqualTo(SqlDialect.POSTGRESQL);
            assertThat(target.jdbcUrl()).isEqualTo("jdbc:postgresql://db.internal:6432/ledger");
            assertThat(target.driverProperties()).containsEntry("user", "tg").containsEntry("password", "s:cret")
                    .containsEntry("currentSchema", "s1");
            assertThat(target.toString()).isEqualTo("postgresql://db.internal:6432/ledger schema s1")
                    .doesNotContain("cret");
        }
    }

    @Test
    void thePortDefaultsAndIpv6KeepsItsBrackets() {
        assertThat(LedgerTarget.parse("postgresql://localhost/db").jdbcUrl())
                .isEqualTo("jdbc:postgresql://localhost:5432/db");
        assertThat(LedgerTarget.parse("postgresql://[::1]/db").jdbcUrl()).isEqualTo("jdbc:postgresql://[::1]:5432/db");
        assertThat(LedgerTarget.parse("postgresql://[::1]:7000/db").jdbcUrl())
                .isEqualTo("jdbc:postgresql://[::1]:7000/db");
    }

    @Test
    void errorsNeverRepeatTheText() {
        for (String bad : new String[] {"mysql://u:hunter2@h/db", "postgresql://u:hunter2@h", "postgresql://u:hunter2@h:x/db",
                "postgresql://u:hunter2@/db", "sqlite:"}) {
            assertThatThrownBy(() -> LedgerTarget.parse(bad)).isInstanceOf(IllegalArgumentException.class)
                    .message().doesNotContain("hunter2");
        }
    }
}
