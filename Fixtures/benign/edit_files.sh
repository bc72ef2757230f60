#!/bin/sh
# Honest work: create, edit, move, link, make executable, run and delete
# files in the workspace. edit_files.sh WORKDIR
set -e
cd "$1"
mkdir -p src docs build
printf 'line one\nline two\n' > src/notes.txt
sed -i 's/two/2/' src/notes.txt
cp src/notes.txt docs/notes.md
mv docs/notes.md docs/README.md
ln -s ../docs/README.md build/readme-link
printf '#!/bin/sh\necho generated script ran\n' > build/run.sh
chmod +x build/run.sh
./build/run.sh
cat src/notes.txt
find . -type f | sort
rm -rf build docs
ls
