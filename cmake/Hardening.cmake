# The compiler and linker flags of a Debian build, in one place: what bookworm's
# dpkg-buildflags gives with hardening=+all (fortified libc calls, a stack protector,
# stack-clash protection, control-flow protection, format checks, full RELRO), plus
# what makes the package reproducible and lean.
set(AHA_HARDENING_COMPILE_FLAGS
    -fstack-protector-strong
    -fstack-clash-protection
    -fcf-protection
    -Wformat -Werror=format-security
    # Build paths stay out of the binaries (reproducible packages).
    -ffile-prefix-map=${PROJECT_SOURCE_DIR}=.)
set(AHA_HARDENING_LINK_FLAGS
    -Wl,-z,relro -Wl,-z,now
    # A library none of whose symbols a binary uses is not recorded as needed
    # (dpkg-shlibdeps: aha and aha-studio linked libtorch.so without using it).
    -Wl,--as-needed)

add_compile_options(${AHA_HARDENING_COMPILE_FLAGS} $<$<NOT:$<CONFIG:Debug>>:-D_FORTIFY_SOURCE=2>)
add_link_options(${AHA_HARDENING_LINK_FLAGS})
