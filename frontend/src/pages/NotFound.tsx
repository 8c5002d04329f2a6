import { A } from "@solidjs/router";

export default function NotFound() {
  return (
    <section>
      <h1>Nothing here</h1>
      <p>
        This page does not exist. Go to the <A href="/">Log</A>.
      </p>
    </section>
  );
}
