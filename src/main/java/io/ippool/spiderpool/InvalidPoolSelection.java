package io.ippool.spiderpool;

/** A request whose pool selection Spiderpool refuses; the message is Spiderpool's text for it. */
public final class InvalidPoolSelection extends RuntimeException {
  public InvalidPoolSelection(String message) {
    super(message, null, false, false);
  }
}
