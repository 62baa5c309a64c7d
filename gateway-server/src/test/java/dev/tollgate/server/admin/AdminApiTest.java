package dev.tollgate.server.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.core.access.AdminKey;
import dev.tollgate.core.access.KeyHash;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;

class AdminApiTest {
    @Test
    void aCreatedKeyIsNeverAnAdminKey() {
        List<AdminKey> admins = List.of(AdminKey.admin(KeyHash.of("tg-taken")));
        Iterator<String> draws = List.of("tg-taken", "tg-free").iterator();
        assertThat(AdminApi.unlikeAdminKeys(draws::next, admins)).isEqualTo("tg-free");
    }

    @Test
    void onlyReadsRenderingAndDryRunsChangeNothing() {
        assertThat(readOnly(HttpMethod.GET, "/admin/keys")).isTrue();
        assertThat(readOnly(HttpMethod.POST, "/admin/prompts/p/render")).isTrue();
        assertThat(readOnly(HttpMethod.POST, "/admin/config/reload?dry_run=true")).isTrue();
        assertThat(readOnly(HttpMethod.POST, "/admin/config/reload?dry_run")).isTrue();
        assertThat(readOnly(HttpMethod.POST, "/admin/config/reload?dry_run=false")).isFalse();
        assertThat(readOnly(HttpMethod.POST, "/admin/config/reload")).isFalse();
        assertThat(readOnly(HttpMethod.PUT, "/admin/prompts/p/labels/render")).isFalse();
        assertThat(readOnly(HttpMethod.DELETE, "/admin/cache")).isFalse();
        assertThat(readOnly(HttpMethod.POST, "/admin/keys")).isFalse();
    }

    private static boolean readOnly(HttpMethod method, String uri) {
        var decoded = new QueryStringDecoder(uri);
        return AdminApi.readOnly(decoded.path().substring("/admin/".length()).split("/", -1), method, decoded);
    }
}
