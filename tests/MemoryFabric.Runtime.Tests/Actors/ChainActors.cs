namespace MemoryFabric.Runtime.Tests.Actors;

/// <summary>Calls <see cref="PongActor"/>, which can call back.</summary>
internal sealed class PingActor
{
    private readonly IActorContext _context;

    public PingActor(IActorContext context) => _context = context;

    public Task<string> PingAsync(bool callBack, CancellationToken cancellationToken) =>
        _context.Actors.InvokeAsync<PongActor, string>(_context.Id.Key, (pong, ct) => pong.PongAsync(callBack, ct), cancellationToken);

    public Task<string> HelloAsync() => Task.FromResult("hello");
}

/// <summary>Answers <see cref="PingActor"/>, optionally by calling it back (a cycle).</summary>
internal sealed class PongActor
{
    private readonly IActorContext _context;

    public PongActor(IActorContext context) => _context = context;

    public Task<string> PongAsync(bool callBack, CancellationToken cancellationToken) =>
        callBack
            ? _context.Actors.InvokeAsync<PingActor, string>(_context.Id.Key, (ping, ct) => ping.HelloAsync(), cancellationToken)
            : Task.FromResult("pong");
}

/// <summary>An actor that is not <see cref="IRemindable"/>.</summary>
internal sealed class PlainActor
{
    public PlainActor(IActorContext context) => Context = context;

    public IActorContext Context { get; }
}
