package dev.tollgate.server.quality;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.model.ChatRequest;
import dev.tollgate.core.model.ChatResponse;
import dev.tollgate.core.model.FinishReason;
import dev.tollgate.core.model.Message;
import dev.tollgate.core.model.Part;
import dev.tollgate.core.model.Role;
import dev.tollgate.core.model.Sampling;
import dev.tollgate.core.model.Usage;
import dev.tollgate.core.pii.PiiDetector;
import dev.tollgate.core.pii.PiiRedactor;
import dev.tollgate.core.quality.ReviewText;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReviewDraftTest {
    private static final PiiRedactor REDACTOR = new PiiRedactor(PiiDetector.all());

    private static ChatRequest asking(String text) {
        return new ChatRequest("m", List.of(Message.text(Role.USER, text)),
                new Sampling(null, null, null, List.of(), null, null, null, null), List.of(), null, null, false,
                false, null, Map.of(), "openai");
    }

    private static ChatResponse answering(String text) {
        return new ChatResponse("id", "m", 1, List.of(new Part.Text(text)), FinishReason.STOP, Usage.reported(1, 1));
    }

    /** Many keys: the draft is cut at its bound, and redaction then leaves far fewer than max_chars. */
    private static String keys(int count) {
        return ("sk-" + "a".repeat(200) + " ").repeat(count);
    }

    @Test
    void aTextCutForTheDraftIsMarkedTruncatedEvenWhenRedactionLeavesItShort() {
        int maxChars = 2_000;
        String longPrompt = keys(200); // 40,800 characters, past the draft's bound; 200 findings of 9 characters
        ReviewDraft draft = ReviewDraft.of(asking(longPrompt), answering("ok"), false, maxChars);
        assertThat(draft.prompt()).hasSize(ReviewDraft.bound(maxChars));
        ReviewText prompt = ReviewText.of(draft.prompt(), draft.promptCut(), REDACTOR, maxChars);
        // Not even the beginning of the key the draft's bound cut in two (too short there to be recognised).
        assertThat(prompt.text()).hasSizeLessThan(maxChars).doesNotContain("sk-a");
        assertThat(prompt.truncated()).as("the end of the prompt is missing").isTrue();

        ReviewText answer = ReviewText.of(draft.answer(), draft.answerCut(), REDACTOR, maxChars);
        assertThat(answer).isEqualTo(new ReviewText("ok", false, 0));
    }

    @Test
    void anAnswerAlreadyCutWhileStreamedIsMarkedTruncated() {
        // A stream's answer is gathered up to the draft's bound only, and says it was cut: nothing shows it here.
        String beginning = "x".repeat(ReviewDraft.bound(100));
        ReviewDraft draft = ReviewDraft.of(asking("hi"), answering(beginning), true, 100);
        assertThat(ReviewText.of(draft.answer(), draft.answerCut(), REDACTOR, 100))
                .isEqualTo(new ReviewText("x".repeat(100), true, 0));
        assertThat(ReviewText.of(draft.prompt(), draft.promptCut(), REDACTOR, 100).truncated()).isFalse();
    }

    @Test
    void theDraftsCutNeverHalvesASurrogatePair() {
        int maxChars = 10;
        int bound = ReviewDraft.bound(maxChars);
        // "user: " is 6 characters: the pair falls across the bound.
        String text = "x".repeat(bound - 7) + "\uD83D\uDE00" + "tail";
        ReviewDraft draft = ReviewDraft.of(asking(text), answering("x".repeat(bound - 1) + "\uD83D\uDE00"), false,
                maxChars);
        assertThat(Character.isHighSurrogate(draft.prompt().charAt(draft.prompt().length() - 1))).isFalse();
        assertThat(Character.isHighSurrogate(draft.answer().charAt(draft.answer().length() - 1))).isFalse();
        assertThat(draft.promptCut()).isTrue();
        assertThat(draft.answerCut()).isTrue();
    }
}
