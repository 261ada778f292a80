"A script for `launch_cpu` (07_distrib): each rank says what it was told; rank 1 exits with the code given as its argument."
import os, sys

print(f"rank {os.environ['RANK']} of {os.environ['WORLD_SIZE']}, threads {os.environ['OMP_NUM_THREADS']}, cpu {os.environ['ACCELERATE_USE_CPU']}")
sys.exit(int(sys.argv[1]) if os.environ['RANK'] == '1' else 0)
