namespace MemoryFabric.Server.Tests;
