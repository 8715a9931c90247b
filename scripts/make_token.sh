#!/usr/bin/env bash
# Makes a bearer token for unitclockd and adds its SHA-256 to a token file.
#
#   scripts/make_token.sh ID PLATFORM ROLES [TOKEN_FILE]
#
#   ID          the token's name, shown in logs (e.g. acme-web)
#   PLATFORM    the platform (tenant) it acts for, or "*" with ROLES=admin
#   ROLES       comma-separated: platform, reviewer, billing, admin
#   TOKEN_FILE  the file unitclockd reads with --auth-file (default
#               var/tokens.json); created if missing
#
# Prints the token on stdout, once: hand it to the client and keep it secret.
# The file keeps only its hash; unitclockd reads the file at start (restart it
# after a change). To revoke a token, delete its line from the file.
set -euo pipefail
id=${1:?usage: make_token.sh ID PLATFORM ROLES [TOKEN_FILE]}
platform=${2:?usage: make_token.sh ID PLATFORM ROLES [TOKEN_FILE]}
roles=${3:?usage: make_token.sh ID PLATFORM ROLES [TOKEN_FILE]}
file=${4:-var/tokens.json}

[[ $id =~ ^[A-Za-z0-9._-]+$ ]] || { echo "make_token.sh: ID: letters, digits, . _ - only" >&2; exit 2; }
[[ $platform == '*' || $platform =~ ^[A-Za-z0-9._-]+$ ]] ||
  { echo "make_token.sh: PLATFORM: letters, digits, . _ - only, or *" >&2; exit 2; }
role_list=
IFS=, read -ra role_array <<<"$roles"
for r in "${role_array[@]}"; do
  case $r in platform | reviewer | billing | admin) ;; *)
    echo "make_token.sh: ROLES: \"$r\" is not one of platform, reviewer, billing, admin" >&2
    exit 2
    ;;
  esac
  role_list+="${role_list:+, }\"$r\""
done

token=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
hash=$(printf '%s' "$token" | sha256sum | cut -d' ' -f1)
entry="  {\"id\": \"$id\", \"platform\": \"$platform\", \"roles\": [$role_list], \"sha256\": \"$hash\"}"

mkdir -p "$(dirname "$file")"
umask 077
if [[ ! -s $file ]]; then
  printf '{"version": 1, "tokens": [\n%s\n]}\n' "$entry" >"$file"
else
  # The file keeps one token per line and ends with "]}" on its own line.
  [[ $(tail -n 1 "$file") == "]}" ]] ||
    { echo "make_token.sh: $file does not end with a \"]}\" line; add the entry by hand:" >&2; echo "$entry" >&2; exit 1; }
  grep -q "\"id\": \"$id\"" "$file" && { echo "make_token.sh: $file already has a token \"$id\"" >&2; exit 1; }
  tmp=$(mktemp "$file.XXXXXX")
  head -n -1 "$file" | sed '$ s/}$/},/' >"$tmp"
  printf '%s\n]}\n' "$entry" >>"$tmp"
  mv "$tmp" "$file"
fi
echo "$token"
