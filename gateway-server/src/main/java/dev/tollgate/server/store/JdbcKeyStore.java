package dev.tollgate.server.store;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.access.KeyHash;
import dev.tollgate.core.access.VirtualKey;
import dev.tollgate.core.ledger.KeyStore;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Runtime keys in the ledger database's {@code virtual_keys} table. Instants are stored as ISO-8601 text so that
 * a key reads back exactly as it was made. Every call runs on the database's reader threads and never blocks its
 * caller; a failed database fails the returned stage with its {@link SQLException}. Thread-safe.
 */
final class JdbcKeyStore implements KeyStore {
    private static final String COLUMNS = "name, hash, team, created, expires, disabled, spec";

    private static final Comparator<VirtualKey> OLDEST_FIRST =
            Comparator.comparing(VirtualKey::created).thenComparing(VirtualKey::name);

    private final LedgerDatabase database;

    JdbcKeyStore(LedgerDatabase database) {
        this.database = requireNonNull(database, "database");
    }

    /** Also fails, with {@link IllegalArgumentException}, for a key whose source is not the admin API. */
    @Override
    public CompletionStage<Void> create(VirtualKey key) {
        requireNonNull(key, "key");
        if (key.source() != VirtualKey.Source.ADMIN_API) {
            return CompletableFuture.failedFuture(
                    new IllegalArgumentException("only admin-API keys are stored; key " + key.name() + " is " + key.source()));
        }
        return database.onReaders(connection -> {
            try (PreparedStatement insert = connection.prepareStatement(
                    "INSERT INTO virtual_keys (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?)")) {
                int i = 0;
                insert.setString(++i, key.name());
                insert.setString(++i, key.hash().hex());
                insert.setString(++i, key.team());
                insert.setString(++i, key.created().toString());
                insert.setString(++i, key.expires() == null ? null : key.expires().toString());
                insert.setInt(++i, key.disabled() ? 1 : 0);
                insert.setString(++i, KeySpecJson.encode(key));
                insert.executeUpdate();
                return null;
            } catch (SQLException e) {
                if (database.dialect().isUniqueViolation(e)) {
                    // Named by the hash's prefix only, as logs show keys.
                    throw new IllegalArgumentException("a key named " + key.name() + " or with hash prefix "
                            + key.hash().prefix() + " exists already", e);
                }
                throw e;
            }
        });
    }

    @Override
    public CompletionStage<Boolean> setDisabled(String name, boolean disabled) {
        requireNonNull(name, "name");
        return database.onReaders(connection -> {
            try (PreparedStatement update = connection.prepareStatement(
                    "UPDATE virtual_keys SET disabled = ? WHERE name = ?")) {
                update.setInt(1, disabled ? 1 : 0);
                update.setString(2, name);
                return update.executeUpdate() > 0;
            }
        });
    }

    /** Every stored key, oldest first (sorted here: ISO-8601 text does not sort by time when fractions differ). */
    @Override
    public CompletionStage<List<VirtualKey>> all() {
        return database.onReaders(connection -> {
            List<VirtualKey> keys = new ArrayList<>();
            try (PreparedStatement select = connection.prepareStatement(
                    "SELECT " + COLUMNS + " FROM virtual_keys");
                    ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    keys.add(key(rs));
                }
            }
            keys.sort(OLDEST_FIRST);
            return keys;
        });
    }

    private static VirtualKey key(ResultSet rs) throws SQLException {
        String expires = rs.getString("expires");
        KeySpecJson.Spec spec = KeySpecJson.decode(rs.getString("spec"));
        return new VirtualKey(rs.getString("name"), new KeyHash(rs.getString("hash")), rs.getString("team"),
                Instant.parse(rs.getString("created")), expires == null ? null : Instant.parse(expires),
                rs.getInt("disabled") != 0, spec.models(), spec.endpoints(), spec.metadata(), spec.limits(),
                spec.budget(), spec.perUser(), VirtualKey.Source.ADMIN_API);
    }
}
