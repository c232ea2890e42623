package io.ippool.cni;

import java.io.IOException;

/** How the plugin reaches the IPAM server: a unix socket on the node, or HTTPS with a kubeconfig. */
interface Transport {
  /** One request on a fresh connection; I/O failures, including the deadline closing it, throw. */
  HttpResponse exchange(String method, String path, String body, Deadline deadline) throws IOException;

  /** For error messages: where the server was expected. */
  String describe();
}
