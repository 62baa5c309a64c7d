package dev.tollgate.core.routing;

import static java.util.Objects.requireNonNull;

import dev.tollgate.core.runtime.Secret;

/**
 * What AWS Signature Version 4 needs to sign a request to a provider on AWS (Bedrock).
 *
 * @param sessionToken null for long-term keys
 * @param region the AWS region the requests are signed for, such as {@code us-east-1}
 */
public record AwsCredentials(Secret accessKeyId, Secret secretAccessKey, Secret sessionToken, String region) {
    public AwsCredentials {
        requireNonNull(accessKeyId, "accessKeyId");
        requireNonNull(secretAccessKey, "secretAccessKey");
        requireNonNull(region, "region");
    }
}
