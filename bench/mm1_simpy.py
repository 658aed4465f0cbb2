#!/usr/bin/python3
"""M/M/1 at rho = 0.9 in SimPy: the same model as `slacksim bench mm1`.

Arrival rate 0.9/s, service rate 1/s, FIFO, one server, written the way
SimPy's own documentation writes a queue: one process per customer, a
Resource for the server. Works with SimPy 3/4 (`import simpy`) and with
SimPy 2.3 (`SimPy.Simulation`), which is what Debian 12's python3-simpy
ships. Prints key=value lines like the C benchmark, customers_per_sec last.

Usage: mm1_simpy.py [--customers N] [--seed S]
"""
import argparse
import random
import sys
import time

LAMBDA, MU = 0.9, 1.0


def run_simpy3(simpy, n, rng):
    env = simpy.Environment()
    server = simpy.Resource(env, capacity=1)
    total = [0.0, 0]  # sum of system times, customers done

    def customer(env):
        arrived = env.now
        with server.request() as req:
            yield req
            yield env.timeout(rng.expovariate(MU))
        total[0] += env.now - arrived
        total[1] += 1

    def source(env):
        for _ in range(n):
            env.process(customer(env))
            yield env.timeout(rng.expovariate(LAMBDA))

    env.process(source(env))
    t0, c0 = time.perf_counter(), time.process_time()
    env.run()
    return total, time.perf_counter() - t0, time.process_time() - c0


def run_simpy2(S, n, rng):
    sim = S.Simulation()
    sim.initialize()
    server = S.Resource(capacity=1, sim=sim)
    total = [0.0, 0]

    class Customer(S.Process):
        def visit(self):
            arrived = self.sim.now()
            yield S.request, self, server
            yield S.hold, self, rng.expovariate(MU)
            yield S.release, self, server
            total[0] += self.sim.now() - arrived
            total[1] += 1

    class Source(S.Process):
        def generate(self):
            for _ in range(n):
                c = Customer(sim=self.sim)
                self.sim.activate(c, c.visit())
                yield S.hold, self, rng.expovariate(LAMBDA)

    src = Source(sim=sim)
    sim.activate(src, src.generate())
    t0, c0 = time.perf_counter(), time.process_time()
    sim.simulate(until=1e300)
    return total, time.perf_counter() - t0, time.process_time() - c0


def main():
    ap = argparse.ArgumentParser(description="M/M/1 at rho = 0.9 in SimPy")
    ap.add_argument("--customers", type=int, default=200000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    if args.customers < 1:
        ap.error("--customers must be >= 1")
    rng = random.Random(args.seed)
    try:
        import simpy
        version = getattr(simpy, "__version__", "3+")
        total, wall, cpu = run_simpy3(simpy, args.customers, rng)
    except ImportError:
        try:
            import SimPy
            import SimPy.Simulation as S
        except ImportError:
            sys.exit("mm1_simpy.py: SimPy is missing for %s (Debian: apt-get install python3-simpy;"
                     " run with /usr/bin/python3)" % sys.executable)
        version = SimPy.__version__
        total, wall, cpu = run_simpy2(S, args.customers, rng)

    print("bench=mm1_simpy")
    print("simpy_version=%s" % version)
    print("python_version=%d.%d.%d" % sys.version_info[:3])
    print("seed=%d" % args.seed)
    print("customers=%d" % total[1])
    print("mean_system_time=%.4f" % (total[0] / total[1]))
    print("theory_mean_system_time=%.4f" % (1.0 / (MU - LAMBDA)))
    print("cpu_s=%.3f" % cpu)
    print("wall_s=%.3f" % wall)
    print("customers_per_sec=%.0f" % (total[1] / wall))


if __name__ == "__main__":
    main()
