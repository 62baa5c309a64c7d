/** Amazon Bedrock: the Converse adapter, InvokeModel embeddings and AWS Signature Version 4 signing. */
package dev.tollgate.providers.bedrock;
