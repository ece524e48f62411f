namespace MemoryFabric.VectorIndex;

/// <summary>A reference count for lock-free readers of a published object: it starts at 1 (the owner's reference);
/// a reader takes a lease only while the count is above zero, so once the last lease ends nobody can take another.
/// A mutable struct: keep it in a field and call it in place.</summary>
internal struct LeaseCount
{
    private int _leases;

    /// <summary>Creates the count with the owner's reference.</summary>
    public LeaseCount() => _leases = 1;

    /// <summary>Takes a lease.</summary>
    /// <returns>Whether it was taken (false once the count has drained to zero).</returns>
    public bool TryAcquire()
    {
        while (true)
        {
            var leases = Volatile.Read(ref _leases);
            if (leases == 0)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _leases, leases + 1, leases) == leases)
            {
                return true;
            }
        }
    }

    /// <summary>Ends a lease (or the owner's reference).</summary>
    /// <returns>Whether it was the last one: the caller then releases the resources.</returns>
    public bool Release() => Interlocked.Decrement(ref _leases) == 0;
}
