#!/bin/sh
# Honest work: a local git repository, commits, a branch, a clone.
# git_work.sh WORKDIR (HOME is a temporary directory in tests)
set -e
cd "$1"
export GIT_AUTHOR_NAME=Agent GIT_AUTHOR_EMAIL=agent@example.invalid
export GIT_COMMITTER_NAME=Agent GIT_COMMITTER_EMAIL=agent@example.invalid
git init -q -b main repo
cd repo
echo "# demo" > README.md
git add README.md
git commit -q -m "first"
git checkout -q -b feature
echo "more" >> README.md
git commit -q -am "second"
git checkout -q main
git merge -q feature
cd ..
git clone -q repo clone
git -C clone log --format=%s
git -C clone status --short | wc -l
