package dev.tollgate.core.quality;

/**
 * A caller's verdict on one answer: thumbs up or down, or one to five stars. Both scales map onto one normalised
 * score from 0 (worst) to 1 (best), so answers rated either way can be compared and averaged.
 */
public sealed interface FeedbackScore {

    /** 0 (worst) to 1 (best): thumbs down 0, up 1; stars {@code (s - 1) / 4}. */
    double normalised();

    /** How it is stored and shown: {@code up}, {@code down}, or the stars as {@code 1} to {@code 5}. */
    String label();

    record Thumbs(boolean up) implements FeedbackScore {
        @Override
        public double normalised() {
            return up ? 1 : 0;
        }

        @Override
        public String label() {
            return up ? "up" : "down";
        }
    }

    record Stars(int stars) implements FeedbackScore {
        public static final int MIN = 1;
        public static final int MAX = 5;

        public Stars {
            if (stars < MIN || stars > MAX) {
                throw new IllegalArgumentException("stars run from 1 to 5, not " + stars);
            }
        }

        @Override
        public double normalised() {
            return (stars - MIN) / (double) (MAX - MIN);
        }

        @Override
        public String label() {
            return Integer.toString(stars);
        }
    }

    /**
     * The score a {@link #label()} names.
     *
     * @throws IllegalArgumentException for any other text
     */
    static FeedbackScore ofLabel(String label) {
        return switch (label) {
            case "up" -> new Thumbs(true);
            case "down" -> new Thumbs(false);
            case "1", "2", "3", "4", "5" -> new Stars(label.charAt(0) - '0');
            default -> throw new IllegalArgumentException("not a feedback score: " + label);
        };
    }
}
