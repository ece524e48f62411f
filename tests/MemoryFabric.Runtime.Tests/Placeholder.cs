namespace MemoryFabric.Runtime.Tests;
