namespace MemoryFabric.Runtime.Tests.Actors;

/// <summary>An actor that runs what the test gives it, and notices when two of its turns overlap.</summary>
internal sealed class WorkActor
{
    private int _inTurn;

    public WorkActor(IActorContext context) => Context = context;

    public IActorContext Context { get; }

    public List<int> Seen { get; } = [];

    public bool Overlapped { get; private set; }

    public int TimerTicks { get; set; }

    public async Task<T> RunAsync<T>(Func<WorkActor, Task<T>> work)
    {
        Enter();
        try
        {
            return await work(this);
        }
        finally
        {
            Exit();
        }
    }

    public async Task<int> RecordAsync(int value)
    {
        Enter();
        try
        {
            await Task.Yield();
            Seen.Add(value);
            await Task.Delay(value % 7 == 0 ? 1 : 0);
            return value;
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>Marks the start of a turn (also used by timer callbacks).</summary>
    public void Enter()
    {
        if (Interlocked.Increment(ref _inTurn) != 1)
        {
            Overlapped = true;
        }
    }

    /// <summary>Marks the end of a turn.</summary>
    public void Exit() => Interlocked.Decrement(ref _inTurn);
}
