import Foundation

/// Runs independent jobs on `width` threads at once and returns their results in job order.
/// Each job builds its own firmware and emulator, so runs share nothing but the process.
public func runInParallel<T>(_ count: Int, width: Int, _ job: @escaping (Int) throws -> T) -> [Result<T, Error>] {
    let lock = NSLock()
    var results = [Result<T, Error>?](repeating: nil, count: count)
    var next = 0
    let workers = max(1, min(width, count))
    DispatchQueue.concurrentPerform(iterations: workers) { _ in
        while true {
            lock.lock()
            let i = next
            next += 1
            lock.unlock()
            guard i < count else { return }
            let result = Result { try job(i) }
            lock.lock()
            results[i] = result
            lock.unlock()
        }
    }
    return results.map { $0! }
}
