package dev.tollgate.providers.gemini;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.tollgate.core.model.GatewayError;
import dev.tollgate.core.model.GatewayException;
import dev.tollgate.core.model.Part;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Map;

/**
 * A canonical image as a Gemini part. A {@code data:} URL (base64 only) becomes {@code inlineData}; an
 * {@code http(s)} URL becomes {@code fileData}, with the MIME type Gemini requires guessed from the path's extension
 * ({@link #TYPES}), except for Gemini Files API URIs, whose type Gemini already knows. Anything else is a 400: a
 * guessed-wrong type would fail upstream with a less helpful message. OpenAI's {@code detail} hint has no Gemini
 * equivalent and is dropped. Stateless.
 */
final class ImagePart {

    /** The image types Gemini documents, by file extension. */
    static final Map<String, String> TYPES = Map.of(
            "png", "image/png",
            "jpg", "image/jpeg",
            "jpeg", "image/jpeg",
            "webp", "image/webp",
            "heic", "image/heic",
            "heif", "image/heif");

    private static final String FILES_HOST = "generativelanguage.googleapis.com";

    private ImagePart() {}

    /** Writes the part object for {@code image}; {@code at} names the message in errors. */
    static void write(JsonGenerator g, Part.Image image, String at) throws IOException {
        String url = image.url();
        if (url.regionMatches(true, 0, "data:", 0, 5)) {
            inline(g, url, at);
            return;
        }
        URI uri = parse(url, at);
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw invalid(at, "an image URL must be a data: URL or an http(s) URL");
        }
        g.writeStartObject();
        g.writeObjectFieldStart("fileData");
        if (!isFilesApi(uri)) {
            g.writeStringField("mimeType", typeOf(uri, at));
        }
        g.writeStringField("fileUri", url);
        g.writeEndObject();
        g.writeEndObject();
    }

    /** {@code data:[<type>][;params];base64,<data>} (RFC 2397). */
    private static void inline(JsonGenerator g, String url, String at) throws IOException {
        int comma = url.indexOf(',');
        String header = comma < 0 ? "" : url.substring(5, comma);
        if (comma < 0 || !header.toLowerCase(Locale.ROOT).endsWith(";base64")) {
            throw invalid(at, "a data: image URL must be base64-encoded");
        }
        int semicolon = header.indexOf(';');
        String type = header.substring(0, semicolon).strip().toLowerCase(Locale.ROOT);
        if (type.isEmpty()) {
            throw invalid(at, "a data: image URL must name its media type");
        }
        g.writeStartObject();
        g.writeObjectFieldStart("inlineData");
        g.writeStringField("mimeType", type);
        g.writeStringField("data", url.substring(comma + 1));
        g.writeEndObject();
        g.writeEndObject();
    }

    private static URI parse(String url, String at) {
        try {
            return new URI(url);
        } catch (URISyntaxException e) {
            throw invalid(at, "the image URL is not a valid URL");
        }
    }

    private static boolean isFilesApi(URI uri) {
        return FILES_HOST.equalsIgnoreCase(uri.getHost()) && uri.getPath() != null && uri.getPath().contains("/files/");
    }

    private static String typeOf(URI uri, String at) {
        String path = uri.getPath() == null ? "" : uri.getPath();
        int dot = path.lastIndexOf('.');
        String type = dot < 0 || dot < path.lastIndexOf('/') ? null : TYPES.get(path.substring(dot + 1).toLowerCase(Locale.ROOT));
        if (type == null) {
            throw invalid(at, "Gemini needs the image type, and it cannot be told from this URL's extension "
                    + "(known: .png, .jpg, .jpeg, .webp, .heic, .heif); send the image as a data: URL instead");
        }
        return type;
    }

    private static GatewayException invalid(String at, String why) {
        return new GatewayException(GatewayError.invalid(at, "invalid_image_url", "Invalid image in '" + at + "': " + why + "."));
    }
}
