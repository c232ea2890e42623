package io.ippool;

public final class Main {
  public static void main(String[] args) {
    System.out.println("ippool-apiserver");
  }
}
