#!/bin/sh
# Prints a TCP port in 5490-5599 that nothing listens on (for a throwaway PostgreSQL cluster).
for p in $(seq 5490 5599); do
  if ! ss -Hltn "sport = :$p" | grep -q .; then echo "$p"; exit 0; fi
done
echo "no free port in 5490-5599" >&2
exit 1
