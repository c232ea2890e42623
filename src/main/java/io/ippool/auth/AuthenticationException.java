package io.ippool.auth;

/**
 * Credentials were presented but not accepted. The message is for the server log only: clients get kube's
 * bare "Unauthorized", so it must never contain the credential itself.
 */
public final class AuthenticationException extends RuntimeException {
  public AuthenticationException(String message) {
    super(message, null, false, false);
  }
}
