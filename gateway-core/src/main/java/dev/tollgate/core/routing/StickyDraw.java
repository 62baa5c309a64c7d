package dev.tollgate.core.routing;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.util.List;
import java.util.function.ToIntFunction;
import java.util.random.RandomGenerator;

/**
 * Weighted assignment that sticks: the same caller always draws the same item for the same experiment, in every
 * process and release, while callers as a whole spread over the items in proportion to their weights. Used by
 * model splits and prompt experiments alike.
 */
public final class StickyDraw {
    private StickyDraw() {}

    /**
     * The item for {@code caller} in experiment {@code salt}. A request with no caller to stick to (an open gateway,
     * no end user named) is drawn by weight afresh: pinning every such request to one item would send all of an
     * open gateway's traffic to it.
     *
     * @param items at least one, with weights that add up to more than 0
     * @param caller the key or end user, or null
     */
    public static <T> T pick(List<T> items, ToIntFunction<T> weight, String salt, String caller,
                             RandomGenerator random) {
        long total = 0;
        for (T item : items) {
            total += weight.applyAsInt(item);
        }
        long draw = caller == null ? random.nextLong() : stableHash(salt + '\0' + caller);
        long place = Math.unsignedMultiplyHigh(draw, total);
        for (T item : items) {
            int w = weight.applyAsInt(item);
            if (place < w) {
                return item;
            }
            place -= w;
        }
        throw new IllegalArgumentException("the weights add up to " + total + ": nothing to draw");
    }

    /**
     * A 64-bit hash that is the same in every process and release (unlike {@link String#hashCode}, whose 32 bits
     * cluster on similar strings): FNV-1a over the UTF-8 bytes, then murmur3's finaliser to spread the bits.
     */
    static long stableHash(String text) {
        long h = 0xcbf29ce484222325L;
        for (byte b : text.getBytes(UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }
}
