import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { BrowserRouter } from "react-router";

import { App } from "./app/App";
import { BeaconProvider } from "./app/beacon";
import { createBeacon } from "./client";
import "./styles.css";

const beacon = createBeacon();
void beacon.session.restore();

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <BeaconProvider beacon={beacon}>
      <BrowserRouter>
        <App />
      </BrowserRouter>
    </BeaconProvider>
  </StrictMode>,
);
