package dev.tollgate.providers.anthropic;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.tollgate.core.model.GatewayError;
import dev.tollgate.core.model.GatewayException;
import dev.tollgate.core.model.Part;
import dev.tollgate.providers.wire.Json;
import java.io.IOException;
import java.util.Locale;

/**
 * Images both ways. Anthropic names an image by a {@code source} object, {@code {"type":"base64","media_type",
 * "data"}} or {@code {"type":"url","url"}}; the canonical {@link Part.Image} by one URL, a {@code data:} URL
 * (RFC 2397) standing for inline bytes. Stateless.
 */
final class ImageSource {

    private static final String BASE64 = ";base64";

    private ImageSource() {}

    /** A {@code source} object as read, checked once the block's type says it is an image's. */
    record Read(String type, String mediaType, String data, String url, String at) {

        /** The canonical image; a 400 naming the missing or unsupported field otherwise. */
        Part.Image image() {
            if (type == null) {
                throw AnthropicJson.missing(at + ".type");
            }
            return switch (type) {
                case "base64" -> new Part.Image("data:" + required(mediaType, at + ".media_type") + BASE64 + ","
                        + required(data, at + ".data"), null);
                case "url" -> new Part.Image(required(url, at + ".url"), null);
                default -> throw AnthropicJson.unsupported(at + ".type", "image sources of type '" + type
                        + "' cannot be translated for this model's provider; supported types are 'base64' and 'url'");
            };
        }

        private static String required(String value, String param) {
            if (value == null) {
                throw AnthropicJson.missing(param);
            }
            return value;
        }
    }

    /** Reads the {@code source} object at the current token; fields are checked by {@link Read#image()}. */
    static Read read(JsonParser p, String at) throws IOException {
        AnthropicJson.expect(p, JsonToken.START_OBJECT, at, "a valid dictionary");
        String type = null;
        String mediaType = null;
        String data = null;
        String url = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            p.nextToken();
            switch (field) {
                case "type" -> type = AnthropicJson.string(p, at + ".type");
                case "media_type" -> mediaType = AnthropicJson.string(p, at + ".media_type");
                case "data" -> data = AnthropicJson.string(p, at + ".data");
                case "url" -> url = AnthropicJson.string(p, at + ".url");
                default -> Json.consumeValue(p);
            }
        }
        return new Read(type, mediaType, data, url, at);
    }

    /**
     * Writes the {@code source} object for a canonical image URL at the generator's position. A base64
     * {@code data:} URL becomes a base64 source (its media type without parameters), an http(s) URL a url source;
     * anything else is a 400 naming {@code param}, the client's field.
     */
    static void write(JsonGenerator g, String url, String param) throws IOException {
        if (url.regionMatches(true, 0, "data:", 0, 5)) {
            int comma = url.indexOf(',');
            String meta = comma < 0 ? "" : url.substring(5, comma);
            if (!meta.toLowerCase(Locale.ROOT).endsWith(BASE64)) {
                throw refused(param, "Anthropic takes inline images only as base64 data: URLs.");
            }
            String mediaType = meta.substring(0, meta.indexOf(';'));
            if (mediaType.isEmpty()) {
                throw refused(param, "the data: URL names no media type (such as image/png).");
            }
            g.writeStartObject();
            g.writeStringField("type", "base64");
            g.writeStringField("media_type", mediaType);
            g.writeStringField("data", url.substring(comma + 1));
            g.writeEndObject();
        } else if (url.regionMatches(true, 0, "https://", 0, 8) || url.regionMatches(true, 0, "http://", 0, 7)) {
            g.writeStartObject();
            g.writeStringField("type", "url");
            g.writeStringField("url", url);
            g.writeEndObject();
        } else {
            throw refused(param, "Anthropic takes images as http(s) URLs or base64 data: URLs.");
        }
    }

    private static GatewayException refused(String param, String why) {
        return new GatewayException(GatewayError.invalid(param, "invalid_value", "Invalid '" + param + "': " + why));
    }
}
