# The Debian package `shortlink` (cpack -G DEB from a Release build dir):
# both programs, their systemd units and example configs, all taken from
# deploy/ (one copy of each: what the package installs is what deploy/ shows).
#
#   /usr/bin/admin-api, /usr/bin/redirector
#   /lib/systemd/system/admin-api.service, redirector.service
#   /etc/shortlink/admin-api.conf, redirector.conf          (conffiles)
#   /usr/share/doc/shortlink/                               (redis.conf, README.md)
#
# postinst makes the `shortlink` system user and a node token; nothing is
# started, since admin-api needs a TLS certificate and each node the
# admin's URL first (deploy/README.md). tests/package/smoke.sh builds,
# installs, runs and purges the package.

# Why: `cpack` otherwise builds the whole tree (tests, benchmarks) before
# packaging; scripts and people build admin-api and redirector first.
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY TRUE)

set(shortlink_deploy ${CMAKE_CURRENT_LIST_DIR}/../deploy)

install(TARGETS admin-api redirector RUNTIME DESTINATION bin)
install(FILES ${shortlink_deploy}/admin-api.service ${shortlink_deploy}/redirector.service
        DESTINATION /lib/systemd/system)
install(FILES ${shortlink_deploy}/admin-api.conf ${shortlink_deploy}/redirector.conf
        DESTINATION /etc/shortlink)
install(FILES ${shortlink_deploy}/redis.conf ${shortlink_deploy}/README.md
        DESTINATION share/doc/shortlink)

# The version: 0.1.<commits>, so each commit's package upgrades the last.
# Read at configure time (a build dir configured long ago keeps its number).
set(SHORTLINK_PACKAGE_VERSION "" CACHE STRING "Version of the Debian package (default: 0.1.<git commit count>)")
set(shortlink_version ${SHORTLINK_PACKAGE_VERSION})
if(NOT shortlink_version)
  execute_process(COMMAND git rev-list --count HEAD WORKING_DIRECTORY ${CMAKE_CURRENT_LIST_DIR}
                  OUTPUT_VARIABLE shortlink_commits OUTPUT_STRIP_TRAILING_WHITESPACE
                  RESULT_VARIABLE shortlink_git ERROR_QUIET)
  if(shortlink_git EQUAL 0 AND shortlink_commits)
    set(shortlink_version 0.1.${shortlink_commits})
  else()
    set(shortlink_version 0.1.0)
  endif()
endif()

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME shortlink)
set(CPACK_PACKAGE_VERSION ${shortlink_version})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_PACKAGE_CONTACT "shortlink maintainers <shortlink@example.org>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "short-link platform: redirect edge nodes and the admin API")
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "A redirect edge service (redirector) answering short links from memory, and the admin API (admin-api) that stores links in RocksDB and pushes changes to the nodes over Redis.")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_STRIP_FILES TRUE)
set(CPACK_DEBIAN_PACKAGE_SECTION web)
# Libraries by dpkg-shlibdeps; uap-core is read only with --analytics on,
# but it is data alone (1 MB) and the flag's default path points into it.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser, openssl, uap-core")
# tor-geoipdb (countries for --analytics on) depends on the tor daemon
# itself: a Recommends, so `--no-install-recommends` keeps tor off a host
# that does not want it (--geoip-db names a MaxMind file instead). Redis
# usually runs on another machine.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "redis-server, tor-geoipdb")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "redis-sentinel")
configure_file(${CMAKE_CURRENT_LIST_DIR}/conffiles ${CMAKE_CURRENT_BINARY_DIR}/packaging/conffiles COPYONLY)
configure_file(${CMAKE_CURRENT_LIST_DIR}/postinst ${CMAKE_CURRENT_BINARY_DIR}/packaging/postinst COPYONLY)
configure_file(${CMAKE_CURRENT_LIST_DIR}/postrm ${CMAKE_CURRENT_BINARY_DIR}/packaging/postrm COPYONLY)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${CMAKE_CURRENT_BINARY_DIR}/packaging/conffiles ${CMAKE_CURRENT_BINARY_DIR}/packaging/postinst
    ${CMAKE_CURRENT_BINARY_DIR}/packaging/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)
include(CPack)
