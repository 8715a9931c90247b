# The unitclock Debian package (cpack -G DEB; ./setup.sh package): the daemon,
# unitclock-token, the policies, the config file, the systemd unit and the
# maintainer scripts (packaging/). docs/install.md describes it.
#
# Its files are the install component "server", left out of a plain
# `cmake --install` (EXCLUDE_FROM_ALL: they go to /etc and /lib, and the
# client library's install must not need root); CPack installs that
# component alone.

set(UNITCLOCK_PACKAGING_DIR ${PROJECT_SOURCE_DIR}/packaging)

# Packaging and installing take what is built; they never build. The package
# test (ctest DebianPackage) runs cpack beside other tests, which must not see
# their programs rebuilt under them; ./setup.sh package builds first.
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY TRUE)

# unitclockd in /usr/sbin: a daemon that systemd starts, not a command for
# users. unitclock-token in /usr/bin: anyone may make a token for a file they
# can write (a development server's, for one).
install(TARGETS unitclockd RUNTIME DESTINATION sbin COMPONENT server EXCLUDE_FROM_ALL)
install(TARGETS unitclock_token RUNTIME DESTINATION bin COMPONENT server EXCLUDE_FROM_ALL)
# The policies unitclockd validates at start. The review page is built into
# unitclockd (plugin/web), so web/ is not shipped.
install(DIRECTORY ${PROJECT_SOURCE_DIR}/core/policies/ DESTINATION share/unitclock/policies
  COMPONENT server EXCLUDE_FROM_ALL)
install(FILES ${PROJECT_SOURCE_DIR}/docs/install.md ${PROJECT_SOURCE_DIR}/docs/running.md
  ${PROJECT_SOURCE_DIR}/docs/security.md ${PROJECT_SOURCE_DIR}/docs/deployment.md
  DESTINATION share/doc/unitclock COMPONENT server EXCLUDE_FROM_ALL)
# Absolute: Debian keeps configuration in /etc and (in Debian 12) units in
# /lib/systemd/system, whatever the package's prefix.
install(FILES ${UNITCLOCK_PACKAGING_DIR}/unitclockd.conf DESTINATION /etc/unitclock
  COMPONENT server EXCLUDE_FROM_ALL)
install(FILES ${UNITCLOCK_PACKAGING_DIR}/unitclock.service DESTINATION /lib/systemd/system
  COMPONENT server EXCLUDE_FROM_ALL)

set(CPACK_GENERATOR DEB)
set(CPACK_INSTALL_CMAKE_PROJECTS "${PROJECT_BINARY_DIR};unitclock;server;/")
set(CPACK_PACKAGE_NAME unitclock)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_PACKAGE_CONTACT "unitclock maintainers <maintainers@users.noreply.r-seed-835f8847.example>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
  "telehealth therapy session timer and CPT code suggestions (gRPC service)")
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
  "unitclockd records the events of telehealth therapy sessions over gRPC,
times them under each payer's policy and suggests CPT codes and units for
review and billing export. This package holds the daemon, its systemd unit
(unitclock.service), its configuration (/etc/unitclock/unitclockd.conf), the
payer policies and unitclock-token, which makes bearer tokens.")
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
# The shared libraries' packages from dpkg-shlibdeps (libgrpc++1.51, libpq5,
# libsqlite3-0, ...); adduser for the postinst.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser")
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
  ${UNITCLOCK_PACKAGING_DIR}/postinst ${UNITCLOCK_PACKAGING_DIR}/prerm
  ${UNITCLOCK_PACKAGING_DIR}/postrm ${UNITCLOCK_PACKAGING_DIR}/conffiles)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
