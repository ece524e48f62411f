using MemoryFabric.Runtime.Tests.Support;

namespace MemoryFabric.Runtime.Tests.Actors;

/// <summary>An actor whose activation fails while the probe says so.</summary>
internal sealed class FlakyActor : IActorLifecycle
{
    private readonly IActorContext _context;
    private readonly ActorProbe _probe;

    public FlakyActor(IActorContext context, ActorProbe probe)
    {
        _context = context;
        _probe = probe;
    }

    public async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        await Task.Yield();
        if (_probe.ShouldFailActivation())
        {
            throw new InvalidOperationException("activation failed");
        }

        _probe.Activated(_context.Id.Key);
    }

    public Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _probe.Deactivated(_context.Id.Key, reason);
        return Task.CompletedTask;
    }

    public Task<string> PingAsync() => Task.FromResult("pong");
}
