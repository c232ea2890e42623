#!/usr/bin/env bash
# Builds the server image as an OCI archive, with no container engine and nothing run inside the image:
#   target/ippool-apiserver-oci.tar   (OCI image layout in a tar; `skopeo copy oci-archive:...` or
#                                      `podman load -i` / `docker load` (25+) take it)
# Root filesystem: Debian packages unpacked with dpkg -x (libc and the libraries a jlinked java needs, CA
# certificates, time zones, a static busybox for the CNI installer's shell), a jlinked runtime with the
# modules jdeps finds in the server jar, the server jar without the embedded PostgreSQL binaries (the image
# always runs against a database URL), and the CNI plugin with its own java.base-only runtime for nodes.
# Needs: a JDK 17 (jlink, jdeps), apt-get and dpkg (Debian/Ubuntu), sha256sum, tar, gzip, zip.
# Usage: image/build-oci.sh [VERSION]   (after `mvn package`)
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION=${1:-$(sed -n 's|^  <version>\(.*\)</version>|\1|p' pom.xml | head -1)}
UID_GID=65532   # the Deployment's runAsUser/runAsGroup (deploy/, charts/)
JAVA_HOME=${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")}
JAR=target/ippool-apiserver.jar
OUT=target/ippool-apiserver-oci.tar
WORK=target/image
PACKAGES=(libc6 libgcc-s1 libstdc++6 zlib1g ca-certificates tzdata busybox-static)
# Loaded by name at run time, so jdeps cannot see them: EC keys for TLS, DNS names, the JDK's own
# zip filesystem used by Flyway to scan the jar.
EXTRA_MODULES=jdk.crypto.ec,jdk.naming.dns,jdk.zipfs

log() { printf '==> image: %s\n' "$*" >&2; }
[ -f "$JAR" ] && [ -f target/cni/ippool-cni.jar ] || { echo "build the jar first: mvn package" >&2; exit 1; }

rm -rf "$WORK"
mkdir -p "$WORK"/{debs,base,app,home,blobs}
base=$WORK/base app=$WORK/app home=$WORK/home

log "Debian packages: ${PACKAGES[*]}"
# _apt cannot write into a build directory; the warning about downloading as root is expected.
(cd "$WORK/debs" && apt-get download -qq "${PACKAGES[@]}" 2>&1 >/dev/null | grep -v 'unsandboxed as root' >&2 || true)
ls "$WORK"/debs/*.deb | wc -l | grep -qx "${#PACKAGES[@]}" || { echo "apt-get download failed" >&2; exit 1; }
for deb in "$WORK"/debs/*.deb; do dpkg -x "$deb" "$base"; done
# What the image does not need at run time: documentation, manuals, locales, lintian data.
rm -rf "$base"/usr/share/{doc,man,info,lintian,locale,bug} "$base"/usr/lib/x86_64-linux-gnu/gconv
# bookworm's packages still ship /bin, /lib and /lib64 (the loader): nothing to link for merged /usr.
ln -s /usr/share/zoneinfo/Etc/UTC "$base/etc/localtime"
# ca-certificates ships the certificates; the bundle is normally made by its postinst.
mkdir -p "$base/etc/ssl/certs"
find "$base/usr/share/ca-certificates" -name '*.crt' | sort | xargs cat > "$base/etc/ssl/certs/ca-certificates.crt"
# A shell and the few tools the CNI installer runs (sh, cp, mv, rm, chmod, echo are busybox applets).
for tool in sh cp mv rm chmod mkdir cat ls; do ln -sf busybox "$base/bin/$tool"; done
printf 'root:x:0:0:root:/root:/bin/sh\nippool:x:%s:%s:ippool:/var/lib/ippool:/bin/false\n' $UID_GID $UID_GID \
  > "$base/etc/passwd"
printf 'root:x:0:\nippool:x:%s:\n' $UID_GID > "$base/etc/group"
mkdir -p "$base"/{proc,sys,dev,tmp,root} && chmod 1777 "$base/tmp"

log "server jar without the embedded PostgreSQL binaries"
mkdir -p "$app/opt/ippool/cni"
cp "$JAR" "$app/opt/ippool/ippool-apiserver.jar"
zip -q -d "$app/opt/ippool/ippool-apiserver.jar" 'postgres-linux-*.txz' \
  || { echo "no embedded PostgreSQL binaries in $JAR: is it the shaded jar?" >&2; exit 1; }
cp target/cni/ippool-cni target/cni/ippool-cni.jar "$app/opt/ippool/cni/"

log "jdeps (modules the server uses)"
modules=$("$JAVA_HOME/bin/jdeps" --ignore-missing-deps --print-module-deps --multi-release 17 \
  "$app/opt/ippool/ippool-apiserver.jar" | tail -1)
log "jlink $modules,$EXTRA_MODULES"
"$JAVA_HOME/bin/jlink" --add-modules "$modules,$EXTRA_MODULES" --strip-debug --no-man-pages --no-header-files \
  --compress=2 --output "$base/opt/ippool/jre"
"$JAVA_HOME/bin/jlink" --add-modules java.base --strip-debug --no-man-pages --no-header-files --compress=2 \
  --output "$app/opt/ippool/cni-jre"
mkdir -p "$home/var/lib/ippool"

# One layer per part, so an upgrade of the server re-downloads only the app layer. Entries are sorted with a
# fixed time, so the same inputs give the same digests.
layer() { # dir owner -> prints "digest diffid size"
  local dir=$1 owner=$2 tarf=$WORK/layer.tar
  tar --sort=name --mtime=@0 --owner="$owner" --group="$owner" --numeric-owner -C "$dir" -cf "$tarf" .
  local diffid; diffid=$(sha256sum "$tarf" | cut -d' ' -f1)
  gzip -n -6 "$tarf"
  local digest; digest=$(sha256sum "$tarf.gz" | cut -d' ' -f1)
  mv "$tarf.gz" "$WORK/blobs/$digest"
  echo "$digest $diffid $(stat -c %s "$WORK/blobs/$digest")"
}
log "layers"
read -r base_d base_id base_s < <(layer "$base" 0)
read -r app_d app_id app_s < <(layer "$app" 0)
read -r home_d home_id home_s < <(layer "$home" $UID_GID)

created=1970-01-01T00:00:00Z
revision=$(git rev-parse HEAD 2>/dev/null || echo unknown)
cat > "$WORK/config.json" <<JSON
{"architecture":"amd64","os":"linux","created":"$created",
 "config":{"User":"$UID_GID:$UID_GID","WorkingDir":"/var/lib/ippool",
  "Env":["PATH=/opt/ippool/jre/bin:/usr/bin:/bin","JAVA_HOME=/opt/ippool/jre","TZ=UTC",
         "SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt"],
  "Entrypoint":["/opt/ippool/jre/bin/java","-XX:MaxRAMPercentage=75","-jar","/opt/ippool/ippool-apiserver.jar"],
  "Cmd":["serve"],
  "ExposedPorts":{"6443/tcp":{}},
  "Labels":{"org.opencontainers.image.title":"ippool-apiserver",
   "org.opencontainers.image.description":"Spiderpool's IPAM API served from PostgreSQL as a Kubernetes aggregated API server, with the ippool-cni plugin",
   "org.opencontainers.image.version":"$VERSION","org.opencontainers.image.revision":"$revision",
   "org.opencontainers.image.created":"$created","org.opencontainers.image.licenses":"Apache-2.0",
   "org.opencontainers.image.source":"https://github.com/ippool/ippool-apiserver",
   "org.opencontainers.image.base.name":"scratch"}},
 "rootfs":{"type":"layers","diff_ids":["sha256:$base_id","sha256:$app_id","sha256:$home_id"]},
 "history":[{"created":"$created","comment":"Debian ${PACKAGES[*]}; jlinked runtime"},
            {"created":"$created","comment":"server jar, CNI plugin and its runtime"},
            {"created":"$created","comment":"home of uid $UID_GID"}]}
JSON
config_d=$(sha256sum "$WORK/config.json" | cut -d' ' -f1)
config_s=$(stat -c %s "$WORK/config.json")
mv "$WORK/config.json" "$WORK/blobs/$config_d"
gz=application/vnd.oci.image.layer.v1.tar+gzip
cat > "$WORK/manifest.json" <<JSON
{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",
 "config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:$config_d","size":$config_s},
 "layers":[{"mediaType":"$gz","digest":"sha256:$base_d","size":$base_s},
           {"mediaType":"$gz","digest":"sha256:$app_d","size":$app_s},
           {"mediaType":"$gz","digest":"sha256:$home_d","size":$home_s}]}
JSON
manifest_d=$(sha256sum "$WORK/manifest.json" | cut -d' ' -f1)
manifest_s=$(stat -c %s "$WORK/manifest.json")
mv "$WORK/manifest.json" "$WORK/blobs/$manifest_d"

layout=$WORK/layout
mkdir -p "$layout/blobs/sha256"
mv "$WORK"/blobs/* "$layout/blobs/sha256/"
echo '{"imageLayoutVersion":"1.0.0"}' > "$layout/oci-layout"
cat > "$layout/index.json" <<JSON
{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json",
 "manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:$manifest_d",
  "size":$manifest_s,"annotations":{"org.opencontainers.image.ref.name":"$VERSION"}}]}
JSON
tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$layout" -cf "$OUT" .
rm -rf "$WORK"
log "$OUT: $(( $(stat -c %s "$OUT") / 1024 / 1024 )) MiB (layers compressed), manifest sha256:$manifest_d"
