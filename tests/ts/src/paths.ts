// Where the build puts what the suite loads.
import { join } from "path";

/** The repository root. */
export const REPO = join(__dirname, "..", "..", "..");

/** The program ELF (`make build`); CLIPSTAKE_PROGRAM_SO points at another build. */
export const PROGRAM_SO = process.env.CLIPSTAKE_PROGRAM_SO ?? join(REPO, "target", "deploy", "clipstake.so");

/** The IDL `make build` (or `anchor build`) writes. */
export const IDL_JSON = join(REPO, "target", "idl", "clipstake.json");
