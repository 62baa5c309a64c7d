package dev.tollgate.providers.mock;

import dev.tollgate.core.model.ChatRequest;
import dev.tollgate.core.model.Message;
import dev.tollgate.core.model.Part;

/**
 * The mock's only source of variety: 64-bit FNV-1a over text, spread by the SplitMix64 finalizer. Written out
 * rather than borrowed from {@code java.util.random} so answers stay identical across JDK versions.
 */
final class MockHash {

    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;
    /** SplitMix64's increment: successive states are this far apart. */
    private static final long GOLDEN = 0x9e3779b97f4a7c15L;

    private MockHash() {}

    static long of(String text) {
        return add(FNV_OFFSET, text);
    }

    /** A fingerprint of every message (roles, names and all parts), so any change to the conversation changes it. */
    static long of(ChatRequest request) {
        long h = FNV_OFFSET;
        for (Message message : request.messages()) {
            h = step(h, message.role().ordinal());
            if (message.name() != null) {
                h = add(h, message.name());
            }
            for (Part part : message.parts()) {
                h = switch (part) {
                    case Part.Text t -> add(step(h, 1), t.text());
                    case Part.Image i -> add(step(h, 2), i.url());
                    case Part.ToolCall c -> add(add(step(h, 3), c.name()), c.arguments());
                    case Part.ToolResult r -> add(add(step(h, 4), r.toolCallId()), r.content());
                };
            }
        }
        return mix(h);
    }

    private static long add(long h, String text) {
        for (int i = 0; i < text.length(); i++) {
            h = step(h, text.charAt(i));
        }
        // A separator, so ("ab","c") and ("a","bc") differ.
        return step(h, 0xffff);
    }

    private static long step(long h, int value) {
        return (h ^ value) * FNV_PRIME;
    }

    /** SplitMix64's finalizer: every input bit affects every output bit. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /** The {@code n}-th value of the SplitMix64 sequence that starts at {@code seed}. */
    static long nth(long seed, long n) {
        return mix(seed + (n + 1) * GOLDEN);
    }

    /** A uniform double in [0, 1) from 53 random bits. */
    static double unit(long bits) {
        return (bits >>> 11) * 0x1.0p-53;
    }

    /** A uniform index in [0, bound). */
    static int index(long bits, int bound) {
        return (int) Long.remainderUnsigned(bits, bound);
    }
}
