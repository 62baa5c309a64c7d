package dev.tollgate.core.ledger;

/** The column a spend report sums by. {@code DAY} is the UTC calendar day of {@link SpendRow#at()}. */
public enum GroupBy {
    KEY, TEAM, USER, MODEL, DEPLOYMENT, DAY;

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
