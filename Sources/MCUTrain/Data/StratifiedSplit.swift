/// Which samples go to the test set. It looks only at the labels, so a table of raw float
/// features and the bytes made from it split identically, and scaling can be fitted on the
/// training half before any test value is looked at.
enum StratifiedSplit {
    /// Takes `round(testFraction * classSize)` of each class for the test set. With under 200
    /// samples per class a plain random split can leave a class visibly under-represented in a
    /// small test set; stratifying removes that source of noise from accuracy comparisons. Both
    /// halves keep the original sample order, so the seed only decides membership, and the same
    /// seed always yields the same split.
    static func indices(labels: [UInt8], classCount: Int, testFraction: Double, seed: UInt64) -> (train: [Int], test: [Int]) {
        precondition((0...1).contains(testFraction), "split: test fraction \(testFraction) is outside 0...1")
        var membersByClass = [[Int]](repeating: [], count: classCount)
        for (index, label) in labels.enumerated() { membersByClass[Int(label)].append(index) }

        var generator = SplitMix64(seed: seed)
        var isTest = [Bool](repeating: false, count: labels.count)
        for var members in membersByClass {
            generator.shuffle(&members)
            let testCount = Int((testFraction * Double(members.count)).rounded())
            for index in members[..<testCount] { isTest[index] = true }
        }
        // Read back in file order: sorted without sorting, and without a second copy of each list.
        return (isTest.indices.filter { !isTest[$0] }, isTest.indices.filter { isTest[$0] })
    }
}
