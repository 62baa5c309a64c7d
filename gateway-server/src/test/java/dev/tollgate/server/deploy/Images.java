package dev.tollgate.server.deploy;

import static org.assertj.core.api.Assertions.assertThat;

/** Image references as Docker, Compose and Kubernetes take them. */
final class Images {
    private Images() {}

    /**
     * Fails unless {@code image} names a tag other than {@code latest}: an unpinned image changes under a
     * deployment that did not change.
     */
    static void assertPinned(String image, String where) {
        String lastPart = image.substring(image.lastIndexOf('/') + 1); // a registry's :port is not a tag
        assertThat(lastPart).as("%s: image %s is pinned to a tag", where, image).contains(":")
                .doesNotEndWith(":latest");
    }
}
