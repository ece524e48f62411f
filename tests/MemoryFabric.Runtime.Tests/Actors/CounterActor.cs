using System.Buffers.Binary;
using MemoryFabric.Runtime.Tests.Support;

namespace MemoryFabric.Runtime.Tests.Actors;

/// <summary>A counter that journals each increment and snapshots on deactivation.</summary>
public interface ICounter
{
    /// <summary>Adds one, durably.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The new count.</returns>
    Task<long> IncrementAsync(CancellationToken cancellationToken);

    /// <summary>The count.</summary>
    /// <returns>The count.</returns>
    Task<long> GetAsync();
}

/// <summary>The <see cref="ICounter"/> actor.</summary>
internal sealed class CounterActor : ICounter, IActorLifecycle
{
    private readonly IActorContext _context;
    private readonly ActorProbe _probe;
    private long _count;
    private long _version;
    private long _sequence;

    public CounterActor(IActorContext context, ActorProbe probe)
    {
        _context = context;
        _probe = probe;
    }

    public Guid Instance { get; } = Guid.NewGuid();

    public IActorContext Context => _context;

    public async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var state = await _context.Storage.LoadAsync(cancellationToken);
        _count = (state.Snapshot is { } snapshot ? BinaryPrimitives.ReadInt64LittleEndian(snapshot.Span) : 0) + state.Journal.Count;
        _version = state.SnapshotVersion;
        _sequence = state.LastSequence;
        _probe.Activated(_context.Id.Key);
    }

    public async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        var snapshot = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(snapshot, _count);
        _version = await _context.Storage.WriteSnapshotAsync(snapshot, _sequence, _version, cancellationToken);
        _probe.Deactivated(_context.Id.Key, reason);
    }

    public async Task<long> IncrementAsync(CancellationToken cancellationToken)
    {
        _sequence = await _context.Storage.AppendAsync([new byte[] { 1 }], cancellationToken);
        return ++_count;
    }

    public Task<long> GetAsync() => Task.FromResult(_count);

    public Task<long> CallSelfAsync(CancellationToken cancellationToken) =>
        _context.Actors.InvokeAsync<CounterActor, long>(_context.Id.Key, (a, ct) => a.GetAsync(), cancellationToken);

    public Task<long> FailAsync() => throw new InvalidOperationException("boom");
}
