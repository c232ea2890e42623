package io.ippool.auth;

import io.vertx.core.Future;

/**
 * One way of establishing who sent a request (k8s.io/apiserver's authenticator.Request). The future:
 * <ul>
 *   <li>succeeds with a user when this method recognised the request;</li>
 *   <li>succeeds with null when the request carries no credentials of this kind (try the next method);</li>
 *   <li>fails with {@link AuthenticationException} when it carries credentials of this kind that are not
 *       valid, which must end in 401 rather than falling through to anonymous.</li>
 * </ul>
 */
public interface Authenticator {
  Future<UserInfo> authenticate(AuthRequest request);
}
