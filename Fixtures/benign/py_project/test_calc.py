import os
import subprocess
import tempfile
import unittest

import calc


class CalcTests(unittest.TestCase):
    def test_add(self):
        self.assertEqual(calc.add(2, 3), 5)

    def test_mean(self):
        self.assertAlmostEqual(calc.mean([1, 2, 3, 4]), 2.5)

    def test_mean_empty(self):
        with self.assertRaises(ValueError):
            calc.mean([])

    def test_words(self):
        self.assertEqual(calc.words("  a b  c "), ["a", "b", "c"])

    def test_temp_files(self):
        with tempfile.TemporaryDirectory() as d:
            p = os.path.join(d, "out.txt")
            with open(p, "w") as f:
                f.write("hello\n")
            with open(p) as f:
                self.assertEqual(f.read(), "hello\n")

    def test_subprocess(self):
        out = subprocess.run(["/bin/echo", "child"], capture_output=True, text=True, check=True)
        self.assertEqual(out.stdout, "child\n")


if __name__ == "__main__":
    unittest.main()
