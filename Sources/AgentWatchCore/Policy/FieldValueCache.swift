// A pack tests the same fields many times per event (fd.sip.name eight times
// in one macro, proc.name in most rules); some are costly (an IP parsed, a
// TLS ClientHello scanned, argv joined). The engine gives every field its
// specialized conditions read a slot here, and each value is computed once
// per event.

final class FieldValueCache {
    private var slots: [String: Int] = [:]
    private var values: [FieldValue?] = []
    /// The event a slot's value belongs to; a stale stamp means "not computed yet".
    private var stamps: [UInt32] = []
    private var epoch: UInt32 = 1

    /// The slot of a field, by its text (`fd.name`, `proc.aname[2]`, `tolower(fd.name)`).
    func slot(for text: String) -> Int {
        if let s = slots[text] { return s }
        let s = values.count
        slots[text] = s
        values.append(nil)
        stamps.append(0)
        return s
    }

    /// Forgets every value: a new event is being evaluated.
    func nextEvent() {
        epoch &+= 1
        if epoch == 0 {
            // Wrapped: stamps from 2^32 events ago would look current.
            for i in stamps.indices { stamps[i] = 0 }
            epoch = 1
        }
    }

    func value(_ slot: Int, _ compute: () -> FieldValue?) -> FieldValue? {
        if stamps[slot] == epoch { return values[slot] }
        let v = compute()
        values[slot] = v
        stamps[slot] = epoch
        return v
    }
}
