# Image of the server and of the node-side CNI plugin, as deploy/ expects it:
#   /opt/ippool/ippool-apiserver.jar   the server (java -jar ... serve)
#   /opt/ippool/cni/ippool-cni(.jar)   the CNI plugin launcher and classes, copied to nodes by the DaemonSet
#   /opt/ippool/cni-jre                a java.base-only runtime for the plugin on nodes (jlink)
# Not built in this project's CI: its machines have no container engine. `docker build -t IMAGE .` where one runs.

FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
RUN mvn -q -B dependency:go-offline
COPY db db
COPY src src
COPY cni cni
RUN mvn -q -B -DskipTests package

FROM eclipse-temurin:17-jdk AS jre
# The plugin uses the JDK's java.base only (HTTP over unix sockets and TLS): a small runtime for every node.
RUN jlink --add-modules java.base --strip-debug --no-man-pages --no-header-files --compress=2 --output /cni-jre

FROM eclipse-temurin:17-jre
RUN groupadd --system --gid 65532 ippool && useradd --system --uid 65532 --gid 65532 --home-dir /var/lib/ippool ippool && mkdir -p /var/lib/ippool \
    && chown ippool /var/lib/ippool
COPY --from=build /src/target/ippool-apiserver.jar /opt/ippool/ippool-apiserver.jar
COPY --from=build /src/target/cni/ippool-cni /src/target/cni/ippool-cni.jar /opt/ippool/cni/
COPY --from=jre /cni-jre /opt/ippool/cni-jre
USER 65532
WORKDIR /var/lib/ippool
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-jar", "/opt/ippool/ippool-apiserver.jar"]
CMD ["serve"]
