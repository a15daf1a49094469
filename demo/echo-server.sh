#!/bin/sh
# echo-server.sh NAME PORT FIFO: answers every TCP connection on PORT with one line, "NAME saw PEER",
# PEER being the source address of the connection as this network namespace sees it (so a client
# learns whether its address arrived unchanged, i.e. without NAT). netcat-openbsd and sh only: nc
# reports the peer on stderr ("Connection received on ADDR PORT"), the loop writes the answer into
# the FIFO that is nc's stdin. One connection at a time; clients retry while nc listens again.
name=$1 port=$2 fifo=$3
while :; do
  rm -f "$fifo"
  mkfifo "$fifo" || exit 1
  nc -l -v -n -q 0 -p "$port" <"$fifo" 2>&1 >/dev/null | {
    while read -r w1 w2 w3 peer _; do
      if [ "$w1 $w2 $w3" = "Connection received on" ]; then
        echo "$name saw $peer"
        exit 0
      fi
    done
    exit 1
  } >"$fifo" || sleep 0.5   # nc ended without a connection (e.g. the port was taken): do not spin
done
