// The exec fingerprints and user-space stacks TraceEncoder writes, read back.

enum FingerprintDecoder {
    /// {"sha256":…,"format":"elf64","machine":…,"build_id":…,"static":false,"stripped":true,"interpreter":…,"markers":[…],"size":N}
    static func binary(_ c: inout JSONCursor) throws(JSONParseError) -> BinaryInfo {
        try c.expect(UInt8(ascii: "{"), "'{'")
        var b = BinaryInfo(sha256: "", format: "", machine: "", buildId: "", isStatic: false, stripped: false,
                           interpreter: "", markers: [], size: 0)
        var first = true
        while let k = try c.nextKey(first: &first) {
            if k.matches("sha256") { b.sha256 = try c.string() }
            else if k.matches("format") { b.format = try c.string() }
            else if k.matches("machine") { b.machine = try c.string() }
            else if k.matches("build_id") { b.buildId = try c.string() }
            else if k.matches("static") { b.isStatic = try c.bool() }
            else if k.matches("stripped") { b.stripped = try c.bool() }
            else if k.matches("interpreter") { b.interpreter = try c.string() }
            else if k.matches("markers") { b.markers = try c.stringArray() }
            else if k.matches("size") { b.size = try c.int64() }
            else { try c.skipValue() }
        }
        return b
    }

    /// [{"pc":"0x…","module":…,"module_offset":"0x…","symbol":…,"offset":"0x…","nearest_export":true}, …]
    static func stack(_ c: inout JSONCursor) throws(JSONParseError) -> [StackFrame] {
        try c.expect(UInt8(ascii: "["), "'['")
        var frames: [StackFrame] = []
        var firstFrame = true
        while try c.nextElement(first: &firstFrame) {
            try c.expect(UInt8(ascii: "{"), "'{'")
            var f = StackFrame(pc: 0, module: "", moduleOffset: 0, symbol: "", offset: 0, nearestExport: false)
            var first = true
            while let k = try c.nextKey(first: &first) {
                if k.matches("pc") { f.pc = try c.hexString() }
                else if k.matches("module") { f.module = try c.string() }
                else if k.matches("module_offset") { f.moduleOffset = try c.hexString() }
                else if k.matches("symbol") { f.symbol = try c.string() }
                else if k.matches("offset") { f.offset = try c.hexString() }
                else if k.matches("nearest_export") { f.nearestExport = try c.bool() }
                else { try c.skipValue() }
            }
            frames.append(f)
        }
        return frames
    }
}
